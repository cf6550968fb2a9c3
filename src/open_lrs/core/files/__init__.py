"""Reading uploaded files, whatever they hold: batch files, feeds and the catalogue.

``decoding`` turns bytes into CSV records and checks a header; ``spreadsheet`` catches the
cells a spreadsheet has rewritten; ``problems`` is how what is wrong is told to the sender.
"""
