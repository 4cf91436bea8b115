"""Files people use: the self-evaluation workbook round trip, the results workbook and the Word 通报."""
