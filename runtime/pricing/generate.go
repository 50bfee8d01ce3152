package pricing

//go:generate go run ./internal/gen -in ../../../shared/pricing/model_prices.json -out prices.json
