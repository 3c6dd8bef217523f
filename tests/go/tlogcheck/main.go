// tlogcheck runs Go's own sumdb code (golang.org/x/mod/sumdb/note and tlog, as Debian packages
// them) over what raceledger writes, so that the tests see another implementation accept it.
//
//	tlogcheck open VKEY_FILE NOTE_FILE   prints the note's text once note.Open has verified it
//	tlogcheck root < HASHES              prints the base64 tlog.TreeHash of the records whose
//	                                     record hashes are SHA-256(0x00 || entry_hash), one hex
//	                                     entry_hash a line
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

type hashes []tlog.Hash

func (h hashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = h[x]
	}
	return out, nil
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: tlogcheck open VKEY_FILE NOTE_FILE | tlogcheck root < HASHES")
	}
	switch os.Args[1] {
	case "open":
		vkey, err := os.ReadFile(os.Args[2])
		if err != nil {
			fail("%v", err)
		}
		msg, err := os.ReadFile(os.Args[3])
		if err != nil {
			fail("%v", err)
		}
		verifier, err := note.NewVerifier(string(trim(vkey)))
		if err != nil {
			fail("verifier key: %v", err)
		}
		n, err := note.Open(msg, note.VerifierList(verifier))
		if err != nil {
			fail("note.Open: %v", err)
		}
		fmt.Print(n.Text)
	case "root":
		var stored hashes
		var n int64
		scan := bufio.NewScanner(os.Stdin)
		for scan.Scan() {
			raw, err := hex.DecodeString(scan.Text())
			if err != nil || len(raw) != 32 {
				fail("line %d: not a hex SHA-256", n+1)
			}
			more, err := tlog.StoredHashesForRecordHash(n, tlog.RecordHash(raw), stored)
			if err != nil {
				fail("%v", err)
			}
			stored = append(stored, more...)
			n++
		}
		root, err := tlog.TreeHash(n, stored)
		if err != nil {
			fail("%v", err)
		}
		fmt.Println(base64.StdEncoding.EncodeToString(root[:]))
	default:
		fail("unknown command %q", os.Args[1])
	}
}

func trim(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
