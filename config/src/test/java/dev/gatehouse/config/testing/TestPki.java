package dev.gatehouse.config.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Copied from the broker module's test PKI (test code is not shared between modules).
 *
 * A throw-away PKI generated in the test: a CA, a server certificate for 127.0.0.1/localhost, and
 * client certificates with a chosen CN, written as PEM files and offered as JSSE trust/key managers.
 */
public final class TestPki {
    private final Path dir;
    private final KeyPair caKeys;
    private X509Certificate ca;
    private long serial = 1;

    public TestPki(Path dir) throws Exception {
        this.dir = dir;
        this.caKeys = rsa();
        this.ca = sign(new X500Name("CN=Gatehouse Test CA"), caKeys.getPublic(), true, null);
    }

    /** A certificate for {@code cn} signed by the CA; the server one carries 127.0.0.1 and localhost. */
    public Identity issue(String cn, boolean server) throws Exception {
        KeyPair kp = rsa();
        GeneralNames sans = server ? new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")})
                : null;
        X509Certificate cert = sign(new X500Name("CN=" + cn), kp.getPublic(), false, sans);
        Path certFile = dir.resolve(cn + ".crt");
        Path keyFile = dir.resolve(cn + ".key");
        writePem(certFile, cert);
        writePem(keyFile, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(kp.getPrivate(), null).generate());
        return new Identity(cert, kp, certFile, keyFile);
    }

    /** The CA certificate as a PEM file. */
    public Path caFile() throws IOException {
        Path f = dir.resolve("ca.crt");
        if (!Files.exists(f)) {
            writePem(f, ca);
        }
        return f;
    }

    /** Trusts exactly the test CA. */
    public TrustManagerFactory trustManagers() throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf;
    }

    /** A certificate, its key, and where they were written. */
    public final class Identity {
        public final X509Certificate certificate;
        private final KeyPair keys;
        public final Path certFile;
        public final Path keyFile;

        Identity(X509Certificate certificate, KeyPair keys, Path certFile, Path keyFile) {
            this.certificate = certificate;
            this.keys = keys;
            this.certFile = certFile;
            this.keyFile = keyFile;
        }

        public KeyManagerFactory keyManagers() throws Exception {
            char[] pw = "test".toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("me", keys.getPrivate(), pw, new java.security.cert.Certificate[] {certificate, ca});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            return kmf;
        }

        /** The identity as a PKCS#12 file with this password. */
        public Path pkcs12(char[] password) throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("me", keys.getPrivate(), password, new java.security.cert.Certificate[] {certificate, ca});
            Path f = certFile.resolveSibling(certFile.getFileName() + ".p12");
            try (OutputStream out = Files.newOutputStream(f)) {
                ks.store(out, password);
            }
            return f;
        }
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    /** Signed by the CA key; the CA itself (issued first, while {@code ca} is null) is self-signed. */
    private X509Certificate sign(X500Name subject, java.security.PublicKey subjectKey, boolean isCa,
                                 GeneralNames sans) throws Exception {
        Instant now = Instant.now();
        X500Name issuer = ca == null ? subject : new X500Name(ca.getSubjectX500Principal().getName());
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(serial++),
                Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), subject,
                subjectKey);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (sans != null) {
            b.addExtension(Extension.subjectAlternativeName, false, sans);
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
    }

    private static void writePem(Path file, Object o) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(o);
        }
    }
}
