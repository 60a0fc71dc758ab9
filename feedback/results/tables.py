from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class GroupPopulation(Table, tablename="group_population"):
    """How many families the partnership has in one group of a breakdown (e.g. 1,240 children with
    an EHC plan), entered or uploaded by an officer for one survey, so the results can show response
    rates and who is under-represented, and weight the headline."""

    run_id = Integer(null=False, index=True)
    breakdown = Varchar(length=40, null=False)  # a respondents column: support_level, main_need, age_band, group
    group_value = Varchar(length=80, null=False)
    families = Integer(null=False)
    updated_by = Varchar(length=254, null=False, default="")
    updated_at = Timestamptz(default=TimestamptzNow())
