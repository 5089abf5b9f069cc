package pushtest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Decrypt reverses the aes128gcm content coding of a Web Push message
// body as the receiving user agent does (RFC 8291 section 3, with RFC
// 8188 section 2): priv and auth are the subscriber's private key and
// authentication secret. It reads any number of records, each padded
// with zeros after its delimiter (1 for all but the last, 2 for the
// last), and returns the plaintext.
func Decrypt(body []byte, priv *ecdh.PrivateKey, auth []byte) ([]byte, error) {
	// RFC 8188 section 2.1: salt(16) rs(uint32) idlen(uint8) keyid.
	if len(body) < 21 {
		return nil, errors.New("shorter than the header")
	}
	salt := body[:16]
	rs := binary.BigEndian.Uint32(body[16:20])
	idlen := int(body[20])
	if rs < 18 {
		return nil, fmt.Errorf("record size %d, at least 18", rs)
	}
	if len(body) < 21+idlen {
		return nil, errors.New("shorter than the header's key id")
	}
	// RFC 8291 section 4: the key id is the sender's ephemeral public
	// key, uncompressed.
	if idlen != 65 {
		return nil, fmt.Errorf("key id of %d bytes, want 65", idlen)
	}
	asPub, err := ecdh.P256().NewPublicKey(body[21 : 21+idlen])
	if err != nil {
		return nil, fmt.Errorf("key id: %v", err)
	}
	records := body[21+idlen:]
	if len(records) == 0 {
		return nil, errors.New("no record")
	}

	// RFC 8291 section 3.4, step by step.
	ecdhSecret, err := priv.ECDH(asPub)
	if err != nil {
		return nil, err
	}
	prkKey := hmacSHA256(auth, ecdhSecret)
	keyInfo := append(append([]byte("WebPush: info\x00"), priv.PublicKey().Bytes()...), asPub.Bytes()...)
	ikm := hmacSHA256(prkKey, append(keyInfo, 0x01))
	prk := hmacSHA256(salt, ikm)
	cek := hmacSHA256(prk, []byte("Content-Encoding: aes128gcm\x00\x01"))[:16]
	nonce := hmacSHA256(prk, []byte("Content-Encoding: nonce\x00\x01"))[:12]

	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	var plain []byte
	for seq := uint64(0); len(records) > 0; seq++ {
		n := min(int(rs), len(records))
		record := records[:n]
		records = records[n:]
		last := len(records) == 0
		// RFC 8188 section 2.3: the nonce of record seq is the derived
		// nonce XOR seq, as a 96-bit big-endian number.
		iv := append([]byte(nil), nonce...)
		var s [8]byte
		binary.BigEndian.PutUint64(s[:], seq)
		for i := range s {
			iv[4+i] ^= s[i]
		}
		p, err := gcm.Open(nil, iv, record, nil)
		if err != nil {
			return nil, fmt.Errorf("record %d: %v", seq, err)
		}
		// RFC 8188 section 2: strip the zero padding, then the delimiter.
		i := len(p) - 1
		for i >= 0 && p[i] == 0 {
			i--
		}
		switch {
		case i < 0:
			return nil, fmt.Errorf("record %d: no delimiter", seq)
		case last && p[i] != 2:
			return nil, fmt.Errorf("last record %d: delimiter %d, want 2", seq, p[i])
		case !last && p[i] != 1:
			return nil, fmt.Errorf("record %d: delimiter %d, want 1", seq, p[i])
		}
		plain = append(plain, p[:i]...)
	}
	return plain, nil
}

// hmacSHA256 is HMAC-SHA-256(key, data), the one function RFC 8291's
// key derivation is written with: each HKDF step it needs is one call.
func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}
