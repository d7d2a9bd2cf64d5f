package s3api

import (
	"sort"

	"talus/internal/s3err"
)

// Inventory and analytics configurations are lists of a bucket kept in ID
// order; these helpers serve both.

// findConfig returns the configuration with this ID.
func findConfig[T any](list []T, id string, idOf func(T) string) (T, error) {
	for _, c := range list {
		if idOf(c) == id {
			return c, nil
		}
	}
	var zero T
	return zero, s3err.New(s3err.NoSuchConfiguration)
}

// configPage is one page of List: the configurations after token, at
// most listPageSize, and the next token (the last ID on the page) when
// more remain.
func configPage[T, X any](list []T, token string, idOf func(T) string, conv func(T) X) (page []X, next string) {
	last := ""
	for _, c := range list {
		if idOf(c) <= token {
			continue
		}
		if len(page) == listPageSize {
			return page, last
		}
		page = append(page, conv(c))
		last = idOf(c)
	}
	return page, ""
}

// putConfig replaces the configuration of c's ID (keep carries state of
// the old one over), or adds it within S3's limit.
func putConfig[T any](list *[]T, c T, idOf func(T) string, keep func(old T, c *T)) error {
	for i := range *list {
		if idOf((*list)[i]) == idOf(c) {
			keep((*list)[i], &c)
			(*list)[i] = c
			return nil
		}
	}
	if len(*list) >= maxReportConfigs {
		return s3err.New(s3err.TooManyConfigurations)
	}
	*list = append(*list, c)
	sort.Slice(*list, func(i, j int) bool { return idOf((*list)[i]) < idOf((*list)[j]) })
	return nil
}

// deleteConfig removes the configuration with this ID.
func deleteConfig[T any](list *[]T, id string, idOf func(T) string) error {
	for i := range *list {
		if idOf((*list)[i]) == id {
			*list = append((*list)[:i], (*list)[i+1:]...)
			return nil
		}
	}
	return s3err.New(s3err.NoSuchConfiguration)
}
