package cli

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestDashboardFlags_Proposers(t *testing.T) {
	tests := map[string]struct {
		value string
		count int
		urls  []string
		err   string
	}{
		"a number":      {value: "3", count: 3},
		"urls":          {value: "http://127.0.0.1:8081, http://127.0.0.1:8082", urls: []string{"http://127.0.0.1:8081", "http://127.0.0.1:8082"}},
		"too many":      {value: "12", err: "give 1 to 9, or the URLs of serve proposers"},
		"not a url":     {value: "p1,p2", err: "give a number from 1 to 9, or URLs such as http://127.0.0.1:8081"},
		"empty entries": {value: ",", err: "give a number from 1 to 9"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := dashboardFlags{proposers: tc.value}
			count, urls, err := d.proposerFlag()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want an error with %q, have %v", tc.err, err)
				}
				var e *ExitError
				if !errors.As(err, &e) || e.Code != ExitUsage {
					t.Errorf("want a usage error, have %#v", err)
				}
				return
			}
			if err != nil || count != tc.count || !slices.Equal(urls, tc.urls) {
				t.Errorf("want %d %q, have %d %q %v", tc.count, tc.urls, count, urls, err)
			}
		})
	}
}
