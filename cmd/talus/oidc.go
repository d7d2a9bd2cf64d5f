package main

import (
	"strings"

	"talus/internal/oidc"
)

// oidcFlags collects repeated --oidc-provider flags.
type oidcFlags []oidc.Provider

func (f *oidcFlags) String() string {
	var s []string
	for _, p := range *f {
		s = append(s, p.Issuer)
	}
	return strings.Join(s, " ")
}

func (f *oidcFlags) Set(v string) error {
	p, err := oidc.ParseFlag(v)
	if err != nil {
		return err
	}
	*f = append(*f, p)
	return nil
}
