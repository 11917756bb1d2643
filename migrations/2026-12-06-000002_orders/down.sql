DROP TABLE refunds;
DROP TABLE payment_allocations;
DROP TABLE payments;
DROP TABLE instalments;
DROP TABLE delivery_lines;
DROP TABLE deliveries;
DROP TABLE order_lines;
DROP TABLE orders;
