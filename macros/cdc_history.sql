{{!--
  The full history of a table of the shop database (SCD type 2) from its raw CDC changes: one row per
  version of a key, valid from the commit of the transaction that made it until the commit of the key's
  next transaction (an update, or a delete that closes it); valid_to is null and is_current true for the
  version in the database now. A re-insert after a delete starts a new version.
  A version is what a transaction committed: when one transaction changes a key several times, only its
  last change of the key counts (the states in between were never visible outside the transaction, and
  they would be versions valid from and to the same instant). A transaction is (_tx_id, _commit_ts): one
  txId, one commit time; rows without a _tx_id fall back to their commit time. The same rule makes a change
  Debezium delivered twice (the same _lsn, after a connector restart) count once.
  All raw columns pass through, as in cdc_current.
  Usage: {{> cdc_history relation=(source "shop_db" "db_users") key="user_id"}}
--}}
with changes as (
    select c.*
    from {{relation}} as c
    where not exists (
        select 1
        from {{relation}} as later
        where later.{{key}} = c.{{key}}
            and later._tx_id is not distinct from c._tx_id
            and later._commit_ts = c._commit_ts
            and (later._lsn > c._lsn
                or (later._lsn = c._lsn and later._kafka_offset > c._kafka_offset))
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
