module github.com/commune-org/commune

go 1.26.8
