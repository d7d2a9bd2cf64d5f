// Package testports hands tests TCP ports for servers they start as other
// processes (Talus, PostgreSQL, brokers), which must be told a port rather
// than take one from the kernel.
//
// A port the kernel picked for a listener that was then closed lies in the
// ephemeral range, where the kernel hands it out again to any process's
// outgoing connection or :0 listener; with several test binaries running at
// once that raced the server's bind ("address already in use"). These ports
// come from below the ephemeral range instead, chosen at random and checked
// free, together with the next port (Talus serves its console there).
//
// testports imports only the standard library, so any test helper may use it.
package testports

import (
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// low and high bound the ports handed out when the ephemeral range cannot
// be read; the range's start lowers high.
const low, high = 20000, 32768

// Free returns a port on 127.0.0.1 that, with the port after it, could be
// bound just now and is outside the kernel's ephemeral range.
func Free() (int, error) {
	top := high
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n-1 > low {
				top = n - 1
			}
		}
	}
	for range 200 {
		p := low + rand.IntN(top-low-1)
		if bindable(p) && bindable(p+1) {
			return p, nil
		}
	}
	return 0, errors.New("testports: no free port found")
}

// Addr is Free as "127.0.0.1:PORT".
func Addr() (string, error) {
	p, err := Free()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(p)), nil
}

func bindable(p int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}
