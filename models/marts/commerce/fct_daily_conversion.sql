-- Conversion per UTC day (seed 001): sessions started that day and how many reached each funnel step;
-- conversion rate = sessions with a purchase / sessions.
select
    session_date,
    count(*) as sessions,
    count_if(reached_product_view) as product_view_sessions,
    count_if(reached_add_to_cart) as add_to_cart_sessions,
    count_if(reached_checkout) as checkout_sessions,
    count_if(reached_purchase) as purchase_sessions,
    cast(count_if(reached_purchase) as double) / count(*) as conversion_rate
from {{ref "int_session_funnel"}}
group by session_date
