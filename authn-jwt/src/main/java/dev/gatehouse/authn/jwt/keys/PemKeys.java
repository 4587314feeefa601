package dev.gatehouse.authn.jwt.keys;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Reads public keys from PEM text: {@code PUBLIC KEY} (SubjectPublicKeyInfo: RSA, EC P-256/384/521,
 * Ed25519), {@code RSA PUBLIC KEY} (PKCS#1) and {@code CERTIFICATE} (the certificate's key). Private
 * keys are refused: configure the public half.
 */
public final class PemKeys {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    /** id-Ed25519 (RFC 8410). */
    private static final ASN1ObjectIdentifier ED25519 = new ASN1ObjectIdentifier("1.3.101.112");

    private PemKeys() {
    }

    /** Every public key in {@code pem}, in order; at least one, or an exception saying why not. */
    public static List<KeyMaterial> read(String pem) {
        Matcher m = BLOCK.matcher(pem);
        List<KeyMaterial> out = new ArrayList<>();
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PEM block " + type + " is not valid base64");
            }
            out.add(decode(type, der));
        }
        if (out.isEmpty()) {
            if (pem.contains("PRIVATE KEY")) {
                throw new IllegalArgumentException("this is a private key: configure the public key instead");
            }
            throw new IllegalArgumentException("no PEM block (-----BEGIN PUBLIC KEY-----) found");
        }
        return List.copyOf(out);
    }

    private static KeyMaterial decode(String type, byte[] der) {
        switch (type) {
            case "PUBLIC KEY":
                return fromSubjectPublicKeyInfo(der);
            case "RSA PUBLIC KEY":
                return fromPkcs1(der);
            case "CERTIFICATE":
                return fromCertificate(der);
            default:
                if (type.contains("PRIVATE KEY")) {
                    throw new IllegalArgumentException("PEM block " + type
                            + " is a private key: configure the public key instead");
                }
                throw new IllegalArgumentException("unsupported PEM block " + type
                        + " (expected PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE)");
        }
    }

    /** A key from DER-encoded SubjectPublicKeyInfo. */
    public static KeyMaterial fromSubjectPublicKeyInfo(byte[] der) {
        SubjectPublicKeyInfo spki;
        try {
            spki = SubjectPublicKeyInfo.getInstance(der);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("PUBLIC KEY is not a valid SubjectPublicKeyInfo");
        }
        var oid = spki.getAlgorithm().getAlgorithm();
        try {
            if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
                return new KeyMaterial.RsaPublic((RSAPublicKey) KeyFactory.getInstance("RSA")
                        .generatePublic(new X509EncodedKeySpec(der)));
            }
            if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
                return ec(KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der)));
            }
            if (oid.equals(ED25519)) {
                return new KeyMaterial.Ed25519Public(spki.getPublicKeyData().getOctets());
            }
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("PUBLIC KEY could not be decoded: " + e.getMessage());
        }
        throw new IllegalArgumentException("unsupported public key algorithm " + oid
                + " (expected RSA, EC P-256/P-384/P-521 or Ed25519)");
    }

    /** A key from a JDK public key object. */
    public static KeyMaterial fromPublicKey(PublicKey key) {
        return fromSubjectPublicKeyInfo(key.getEncoded());
    }

    private static KeyMaterial ec(PublicKey k) {
        ECPublicKey ec = (ECPublicKey) k;
        EcCurve curve = EcCurve.of(ec).orElseThrow(() ->
                new IllegalArgumentException("EC key is not on P-256, P-384 or P-521"));
        return new KeyMaterial.EcPublic(ec, curve);
    }

    private static KeyMaterial fromPkcs1(byte[] der) {
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(der);
            var rsa = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(seq);
            BigInteger n = rsa.getModulus();
            BigInteger e = rsa.getPublicExponent();
            return new KeyMaterial.RsaPublic((RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(n, e)));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("RSA PUBLIC KEY could not be decoded");
        }
    }

    private static KeyMaterial fromCertificate(byte[] der) {
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            return fromPublicKey(cert.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("CERTIFICATE could not be decoded: " + e.getMessage());
        }
    }

    /** PEM text for a public key, e.g. to write a test fixture or a doc example. */
    public static String toPem(PublicKey key) {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
    }

    /** Reads a whole file as text, naming the file in the error. */
    public static String readFile(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
