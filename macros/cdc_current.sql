{{!--
  The current state of a table of the shop database from its raw CDC changes (hive.raw.db_<table>): each
  key's latest change by (_lsn, _kafka_offset), and a key whose latest change is a delete left out. Every
  column of the raw table passes through (`*`), so a column the database gains (ALTER TABLE … ADD COLUMN)
  appears here on the next build; row columns stay the database's text, as the raw layer holds them.
  Usage: {{> cdc_current relation=(source "shop_db" "db_users") key="user_id"}}
--}}
select changes.*
from {{relation}} as changes
where changes._op <> 'd'
    and not exists (
        select 1
        from {{relation}} as later
        where later.{{key}} = changes.{{key}}
            and (later._lsn > changes._lsn
                or (later._lsn = changes._lsn and later._kafka_offset > changes._kafka_offset))
    )
