package s3

import (
	"regexp"
	"strings"
)

// DirectorySuffix ends every directory bucket's name (S3 Express One Zone).
const DirectorySuffix = "--x-s3"

// StorageClassExpress is the one storage class of directory buckets.
const StorageClassExpress = "EXPRESS_ONEZONE"

// zoneID matches an Availability Zone ID (use1-az4) or a Local Zone ID
// (usw2-lax1-az1), as directory bucket names carry them.
var zoneID = regexp.MustCompile(`^[a-z]{2,6}[0-9]{1,2}(-[a-z]+[0-9]*)?-az[0-9]{1,2}$`)

// IsDirectoryBucketName reports whether name has a directory bucket's
// suffix (--x-s3), valid or not.
func IsDirectoryBucketName(name string) bool { return strings.HasSuffix(name, DirectorySuffix) }

// DirectoryBucketZone applies S3's naming rules for directory buckets
// (base-name--zone-id--x-s3: 3 to 63 characters of lowercase letters,
// digits and hyphens, beginning and ending with a letter or digit, the
// general purpose rules on reserved prefixes and suffixes for the base
// name) and returns the zone ID the name carries. Errors wrap
// ErrInvalidBucketName with the rule that failed.
func DirectoryBucketZone(name string) (string, error) {
	bad := func(why string) (string, error) {
		return "", wrapName(name, why)
	}
	if len(name) < 3 || len(name) > 63 {
		return bad("must be 3 to 63 characters long")
	}
	rest, ok := strings.CutSuffix(name, DirectorySuffix)
	if !ok {
		return bad("must end with --zone-id--x-s3")
	}
	i := strings.LastIndex(rest, "--")
	if i < 0 {
		return bad("must end with --zone-id--x-s3")
	}
	base, zone := rest[:i], rest[i+2:]
	if !zoneID.MatchString(zone) {
		return bad("zone ID " + zone + " is not an Availability Zone or Local Zone ID")
	}
	if base == "" {
		return bad("needs a base name")
	}
	for i := 0; i < len(base); i++ {
		if c := base[i]; !(isAlnum(c) || c == '-') {
			return bad("may contain only lowercase letters, digits and '-'")
		}
	}
	if !isAlnum(base[0]) || !isAlnum(base[len(base)-1]) {
		return bad("must start with a letter or digit and the base name end with one")
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return bad("reserved prefix " + p)
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(base, s) {
			return bad("reserved suffix " + s)
		}
	}
	return zone, nil
}

// CheckAnyBucketName accepts the name of a general purpose or a directory
// bucket.
func CheckAnyBucketName(name string) error {
	if IsDirectoryBucketName(name) {
		_, err := DirectoryBucketZone(name)
		return err
	}
	return CheckBucketName(name)
}
