-- What each user is interested in (seed 002's user feature store): per user and product category, the
-- views, add-to-carts and purchases, a weighted interest score (view 1, cart 3, purchase 5) and the
-- category's rank for that user (1 = strongest interest).
with activity as (
    select
        {{> pii_hash column="e.user_id"}} as user_key,
        p.category,
        count_if(e.event_type = 'product_view') as views,
        count_if(e.event_type = 'add_to_cart') as add_to_carts,
        count_if(e.event_type = 'purchase') as purchases,
        max(e.event_time) as last_interaction_at
    from {{ref "stg_user_events"}} as e
    join {{ref "dim_products"}} as p on p.product_id = e.product_id
    where e.event_type in ('product_view', 'add_to_cart', 'purchase')
    group by 1, 2
)

select
    user_key,
    category,
    views,
    add_to_carts,
    purchases,
    views + 3 * add_to_carts + 5 * purchases as interest_score,
    row_number() over (
        partition by user_key order by views + 3 * add_to_carts + 5 * purchases desc, last_interaction_at desc, category
    ) as interest_rank,
    last_interaction_at
from activity
