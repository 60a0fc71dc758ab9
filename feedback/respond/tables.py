"""Event mode's shared tablets.

Registered in the `feedback` Piccolo app (`feedback/database/piccolo_app.py`)."""

from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class EventTablet(Table, tablename="event_tablet"):
    """A browser put into event mode from the workspace. Only a hash of its token is kept, so a copy
    of the database cannot make another browser a tablet; ending event mode sets `ended_at`."""

    run = Integer(null=False, index=True)
    token_hash = Varchar(length=64, null=False, unique=True)
    started_by = Varchar(length=254, null=False)
    started_at = Timestamptz(default=TimestamptzNow())
    ended_at = Timestamptz(null=True, default=None)
