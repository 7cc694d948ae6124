{{!--
  The full history of a table of the shop database (SCD type 2) from its raw CDC changes: one row per
  version of a key, valid from the commit of the change that made it until the commit of the key's next
  change (an update, or a delete that closes it); valid_to is null and is_current true for the version in
  the database now. A re-insert after a delete starts a new version. A change Debezium delivered twice
  (the same _lsn, after a connector restart) counts once. All raw columns pass through, as in cdc_current.
  Usage: {{> cdc_history relation=(source "shop_db" "db_users") key="user_id"}}
--}}
with changes as (
    select c.*
    from {{relation}} as c
    where not exists (
        select 1
        from {{relation}} as copy
        where copy.{{key}} = c.{{key}}
            and copy._lsn = c._lsn
            and copy._kafka_offset < c._kafka_offset
    )
),

versions as (
    select
        changes.*,
        changes._commit_ts as valid_from,
        lead(changes._commit_ts) over (
            partition by changes.{{key}} order by changes._lsn, changes._kafka_offset
        ) as valid_to
    from changes
)

select
    versions.*,
    versions.valid_to is null as is_current
from versions
where versions._op <> 'd'
