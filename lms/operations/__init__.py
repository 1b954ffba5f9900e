"""Running Cunke in production: backups and restores (`flask db backup|restore`) and a large
generated dataset for load tests and benchmarks (`flask dev seed`)."""
