"""Everything Open LRS does only on SQLite, fenced here so that the rest of ``core`` (and
every request on PostgreSQL) never runs it: the connection settings (``connections``),
writers taking turns for the one write lock (``writers``), and checkpoints off the request
path (``checkpoints``). README.md beside this file says why each exists, what it measured,
and how to switch the tuning off (``LRS_SQLITE_TUNED=false``). SQLite is the embedded
default for trying the service and for small installations; scale is PostgreSQL's job, so
nothing further is tuned here."""
