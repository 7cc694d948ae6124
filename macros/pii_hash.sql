{{!--
  Pseudonymises an identifier that counts as PII (seed 000: "PII fields masked in analytics"): a salted
  SHA-256, hex. The same input gives the same key in every mart, so joins still work; null stays null.
--}}
lower(to_hex(sha256(to_utf8('{{var "pii_salt" "floe-shop"}}' || cast({{column}} as varchar)))))
