// tlogcheck runs Go's own sumdb code (golang.org/x/mod/sumdb/note and tlog, as Debian packages
// them) over what raceledger writes, so that the tests see another implementation accept it.
//
//	tlogcheck open VKEY_FILE NOTE_FILE   prints the note's text once note.Open has verified it
//	tlogcheck root < HASHES              prints the base64 tlog.TreeHash of the records whose
//	                                     record hashes are SHA-256(0x00 || entry_hash), one hex
//	                                     entry_hash a line
//	tlogcheck record INDEX RECORD SIZE ROOT < PATH
//	                                     checks with tlog.CheckRecord that the record whose hash
//	                                     is tlog.RecordHash(RECORD's bytes, given in hex: a journal
//	                                     entry's 32-byte entry_hash, or an imported row's canonical
//	                                     JSON) is at INDEX in the tree of SIZE records with the
//	                                     base64 ROOT, through the inclusion path PATH (one base64
//	                                     hash a line)
//	tlogcheck tree OLD_SIZE OLD_ROOT NEW_SIZE NEW_ROOT < PROOF
//	                                     checks with tlog.CheckTree that the tree of NEW_SIZE
//	                                     records with the base64 NEW_ROOT holds the tree of
//	                                     OLD_SIZE with OLD_ROOT as a prefix, through the
//	                                     consistency proof PROOF (one base64 hash a line)
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"

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
		fail("usage: tlogcheck open VKEY_FILE NOTE_FILE | tlogcheck root < HASHES | tlogcheck record INDEX RECORD SIZE ROOT < PATH | tlogcheck tree OLD_SIZE OLD_ROOT NEW_SIZE NEW_ROOT < PROOF")
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
	case "record":
		if len(os.Args) != 6 {
			fail("usage: tlogcheck record INDEX RECORD SIZE ROOT < PATH")
		}
		index, err1 := strconv.ParseInt(os.Args[2], 10, 64)
		leaf, err2 := hex.DecodeString(os.Args[3])
		size, err3 := strconv.ParseInt(os.Args[4], 10, 64)
		root, err4 := base64.StdEncoding.DecodeString(os.Args[5])
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || len(leaf) == 0 || len(root) != 32 {
			fail("bad arguments")
		}
		var th tlog.Hash
		copy(th[:], root)
		if err := tlog.CheckRecord(readHashes(), size, th, index, tlog.RecordHash(leaf)); err != nil {
			fail("tlog.CheckRecord: %v", err)
		}
		fmt.Println("ok")
	case "tree":
		if len(os.Args) != 6 {
			fail("usage: tlogcheck tree OLD_SIZE OLD_ROOT NEW_SIZE NEW_ROOT < PROOF")
		}
		old, err1 := strconv.ParseInt(os.Args[2], 10, 64)
		oldRoot, err2 := base64.StdEncoding.DecodeString(os.Args[3])
		size, err3 := strconv.ParseInt(os.Args[4], 10, 64)
		root, err4 := base64.StdEncoding.DecodeString(os.Args[5])
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || len(oldRoot) != 32 || len(root) != 32 {
			fail("bad arguments")
		}
		var h, th tlog.Hash
		copy(h[:], oldRoot)
		copy(th[:], root)
		if err := tlog.CheckTree(readHashes(), size, th, old, h); err != nil {
			fail("tlog.CheckTree: %v", err)
		}
		fmt.Println("ok")
	default:
		fail("unknown command %q", os.Args[1])
	}
}

// readHashes reads a proof from standard input, one base64 SHA-256 a line.
func readHashes() []tlog.Hash {
	var proof []tlog.Hash
	scan := bufio.NewScanner(os.Stdin)
	for scan.Scan() {
		raw, err := base64.StdEncoding.DecodeString(scan.Text())
		if err != nil || len(raw) != 32 {
			fail("proof line %d: not a base64 SHA-256", len(proof)+1)
		}
		var h tlog.Hash
		copy(h[:], raw)
		proof = append(proof, h)
	}
	return proof
}

func trim(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
