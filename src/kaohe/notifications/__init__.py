"""Notifications (issue 10 §2): who is told what when a step of the cycle happens, in the app (a bell and an inbox)
and by e-mail, and the reminders ``kaohe remind`` sends before and after each deadline."""
