module example.com/presets/langchaingo

go 1.26.8

replace github.com/genaitrace/genaitrace => ../../..

require github.com/tmc/langchaingo v0.1.14 // indirect
