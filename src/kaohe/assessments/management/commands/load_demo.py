from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kaohe.assessments.actions import ActionError
from kaohe.assessments.demo import PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo province (units, people, three cycles at different stages) into an empty database."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            logins = load_demo()
        except ActionError as exc:
            raise CommandError(str(exc)) from None
        for login in logins:
            self.stdout.write(f"{login.username:<14} {PASSWORD:<6} {login.role} · {login.where}")
