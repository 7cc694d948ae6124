{{config enabled=(var "shop_db" false) materialized="table" tags="shop_db"}}
-- The shop database's users as they are now (the latest change per user_id, deletes applied): macros/cdc_current.sql.
{{> cdc_current relation=(source "shop_db" "db_users") key="user_id"}}
