// Package torrent builds BitTorrent metainfo (.torrent) files: the
// bencoding of BEP 3 and the SHA-1 piece hashes of a byte stream, with a
// BEP 19 web seed (url-list). It owns no storage and imports no talus
// package.
package torrent
