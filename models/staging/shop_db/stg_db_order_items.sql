{{config enabled=(var "shop_db" false) materialized="table" tags="shop_db"}}
-- The shop database's order_items as they are now (the latest change per order_item_id, deletes applied): macros/cdc_current.sql.
{{> cdc_current relation=(source "shop_db" "db_order_items") key="order_item_id"}}
