package testports

import (
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestFreeIsBelowTheEphemeralRangeAndBindable(t *testing.T) {
	start := high
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if n, err := strconv.Atoi(strings.Fields(string(b))[0]); err == nil {
			start = n
		}
	}
	for range 20 {
		p, err := Free()
		if err != nil {
			t.Fatal(err)
		}
		if p < low || p+1 >= start {
			t.Fatalf("port %d (and %d) not in [%d, %d)", p, p+1, low, start)
		}
		for _, q := range []int{p, p + 1} {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(q))
			if err != nil {
				t.Fatalf("port %d handed out but not bindable: %v", q, err)
			}
			l.Close()
		}
	}
}
