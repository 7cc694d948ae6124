{{config enabled=(var "shop_db" false) materialized="table" tags="shop_db"}}
-- Every version of each of the shop database's products (SCD type 2, valid_from / valid_to): macros/cdc_history.sql.
{{> cdc_history relation=(source "shop_db" "db_products") key="product_id"}}
