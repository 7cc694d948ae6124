{{!--
  Seed 003's metric aggregates at one time grain (minute, hour or day), by country and device: counts per
  event type, distinct users and sessions, and clickstream revenue (purchase lines). Each grain is computed
  from staging, not rolled up, so distinct counts stay exact.
--}}
select
    date_trunc('{{grain}}', event_time) as bucket_start,
    '{{grain}}' as time_granularity,
    coalesce(country, 'unknown') as country,
    coalesce(device, 'unknown') as device,
    count(*) as events,
    count_if(event_type = 'product_view') as product_views,
    count_if(event_type = 'add_to_cart') as add_to_carts,
    count_if(event_type = 'checkout') as checkouts,
    count_if(event_type = 'purchase') as purchases,
    count(distinct user_id) as active_users,
    count(distinct session_id) as sessions,
    coalesce(sum(case when event_type = 'purchase' then line_amount end), 0) as purchase_revenue
from {{ref "stg_user_events"}}
group by 1, 2, 3, 4
