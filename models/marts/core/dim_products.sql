-- One row per product (seed 000's dim_product, seed 001's products): each attribute's latest known value.
-- product_updated events are partial (a stock report, a price change), so every attribute takes its own
-- latest non-null value; ties at one instant go to the later Kafka offset (same key, same partition).
select
    product_id,
    max_by(product_name, row(event_time, _kafka_offset)) filter (where product_name is not null) as product_name,
    max_by(category, row(event_time, _kafka_offset)) filter (where category is not null) as category,
    max_by(price, row(event_time, _kafka_offset)) filter (where price is not null) as price,
    max_by(currency, row(event_time, _kafka_offset)) filter (where currency is not null) as currency,
    max_by(is_active, row(event_time, _kafka_offset)) filter (where is_active is not null) as is_active,
    max_by(brand, row(event_time, _kafka_offset)) filter (where brand is not null) as brand,
    max_by(stock_quantity, row(event_time, _kafka_offset)) filter (where stock_quantity is not null) as reported_stock,
    max(event_time) filter (where stock_quantity is not null) as stock_reported_at,
    min(event_time) filter (where event_type = 'product_created') as created_at,
    max(event_time) as updated_at,
    count(*) as change_events
from {{ref "stg_product_events"}}
group by product_id
