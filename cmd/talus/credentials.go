package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"talus/internal/fsutil"
	"talus/internal/iam"
	"talus/internal/server"
)

// credentialsFile holds generated root credentials in the data directory.
const credentialsFile = "root-credentials.json"

type rootPair struct {
	AccessKey string `json:"access_key"`
	SecretKey string `json:"secret_key"`
}

// envCredentials returns the root key pair from TALUS_ROOT_ACCESS_KEY and
// TALUS_ROOT_SECRET_KEY; ok is false when neither is set.
func envCredentials() (rootPair, bool, error) {
	c := rootPair{os.Getenv("TALUS_ROOT_ACCESS_KEY"), os.Getenv("TALUS_ROOT_SECRET_KEY")}
	if c.AccessKey == "" && c.SecretKey == "" {
		return c, false, nil
	}
	if c.AccessKey == "" || c.SecretKey == "" {
		return c, false, errors.New("set both TALUS_ROOT_ACCESS_KEY and TALUS_ROOT_SECRET_KEY, or neither")
	}
	return c, true, checkPair(c, "TALUS_ROOT_ACCESS_KEY", "TALUS_ROOT_SECRET_KEY")
}

func checkPair(c rootPair, akName, skName string) error {
	if len(c.AccessKey) < 3 || len(c.SecretKey) < 8 {
		return fmt.Errorf("%s needs at least 3 characters and %s at least 8", akName, skName)
	}
	return nil
}

// readCredentialsFile returns the pair in dir's credentials file; ok is
// false if there is none.
func readCredentialsFile(dir string) (rootPair, bool, error) {
	path := filepath.Join(dir, credentialsFile)
	var c rootPair
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if err := json.Unmarshal(b, &c); err != nil || c.AccessKey == "" || c.SecretKey == "" {
		return c, false, fmt.Errorf("%s is damaged", path)
	}
	return c, true, nil
}

func writeCredentialsFile(dir string, c rootPair) error {
	b, _ := json.MarshalIndent(c, "", "  ")
	return fsutil.WriteFileAtomic(filepath.Join(dir, credentialsFile), append(b, '\n'), 0o600)
}

// generatePair returns fresh root credentials.
func generatePair() rootPair {
	return rootPair{
		AccessKey: "TL" + iam.RandomString(18, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
		SecretKey: iam.RandomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
	}
}

// rootCredentials returns the root key pair: from the environment, else
// from the data directory's credentials file, else, for a new directory
// only, freshly generated, stored 0600 and printed once. The server then
// checks the pair against the directory's root record.
func rootCredentials(dir string) (string, string, error) {
	if c, ok, err := envCredentials(); ok || err != nil {
		return c.AccessKey, c.SecretKey, err
	}
	if c, ok, err := readCredentialsFile(dir); ok || err != nil {
		return c.AccessKey, c.SecretKey, err
	}
	path := filepath.Join(dir, credentialsFile)
	// Never give a directory that has root credentials a second set.
	rec, err := server.ReadRootRecord(dir)
	if err != nil {
		return "", "", err
	}
	if rec != nil {
		return "", "", fmt.Errorf("data directory %s belongs to root access key %s but %s is missing: set TALUS_ROOT_ACCESS_KEY and TALUS_ROOT_SECRET_KEY to its credentials, or run 'talus admin rotate-root --data %s' (with the server stopped) to give it new ones",
			dir, rec.AccessKey, path, dir)
	}
	if server.HasData(dir) {
		return "", "", fmt.Errorf("data directory %s holds data but no root credentials (%s is missing): set TALUS_ROOT_ACCESS_KEY and TALUS_ROOT_SECRET_KEY to the credentials it was created with", dir, path)
	}
	c := generatePair()
	if err := writeCredentialsFile(dir, c); err != nil {
		return "", "", err
	}
	fmt.Fprintf(os.Stderr, "Generated root credentials (kept in %s, mode 0600):\n  access key: %s\n  secret key: %s\n", path, c.AccessKey, c.SecretKey)
	return c.AccessKey, c.SecretKey, nil
}
