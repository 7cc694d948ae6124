{{config enabled=(var "shop_db" false) materialized="table" tags="shop_db"}}
-- The shop database's inventory as they are now (the latest change per product_id, deletes applied): macros/cdc_current.sql.
{{> cdc_current relation=(source "shop_db" "db_inventory") key="product_id"}}
