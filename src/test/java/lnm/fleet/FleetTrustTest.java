package lnm.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed pulls, enrolment through box.pub, and answers bound to their pull's nonce. */
class FleetTrustTest {
    @TempDir
    Path dir;

    static Report report(String name, long generation) {
        return new Report(name, 2, "1.0", generation, "ready", 5, 10, 1, List.of(new Report.NameCount("x.example", 1)),
                "", 0, "", 30_000);
    }

    private static Pull pull(String name, KeyPair k) {
        return Pull.parse(Pull.encode(report(name, 0), Pull.freshNonce(), k.getPrivate()));
    }

    @Test
    void aPullIsSignedOverEveryByteBeforeItsSignatureAndCarriesAFreshNonce() throws Exception {
        KeyPair box = KeyLines.generate();
        String line = KeyLines.line(box.getPublic());
        String nonce = Pull.freshNonce();
        assertEquals(Pull.NONCE_BYTES, Base64.getDecoder().decode(nonce).length);
        assertNotEquals(nonce, Pull.freshNonce());
        Report r = new Report("l2", 2, "1.0", 3, "ready", 5, 10, 1, List.of(), "x\nsignature = forged", 0, "", 30_000);
        byte[] bytes = Pull.encode(r, nonce, box.getPrivate());
        Pull p = Pull.parse(bytes);
        assertEquals("l2", p.report().name());
        assertEquals(3, p.report().generation());
        assertEquals("x\nsignature = forged", p.report().refusal(), "a value cannot end the signed part early");
        assertEquals(nonce, p.nonce());
        assertTrue(p.verifiedBy(List.of(line)));
        assertFalse(p.verifiedBy(List.of(KeyLines.line(KeyLines.generate().getPublic()))));
        for (int i = 0; i < bytes.length; i += 3) {
            byte[] t = bytes.clone();
            t[i] ^= 1;
            boolean verified;
            try {
                verified = Pull.parse(t).verifiedBy(List.of(line));
            } catch (IllegalArgumentException e) {
                verified = false;
            }
            assertFalse(verified, "byte " + i + " changed");
        }
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Pull.parse(report("l2", 0).encode().getBytes(StandardCharsets.UTF_8))).getMessage().contains("signature"));
        String text = new String(bytes, StandardCharsets.UTF_8).replace("nonce = " + nonce, "nonce = AAAA");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pull.parse(text.getBytes(StandardCharsets.UTF_8)))
                .getMessage().contains("a nonce has 16 to 64 bytes"));
    }

    @Test
    void onlyABoxWhoseFolderHasItsKeyInBoxPubIsEnrolledAndTwoLinesServeARotation() throws Exception {
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        KeyPair old = KeyLines.generate();
        KeyPair now = KeyLines.generate();
        assertTrue(Enrolment.refusal(fleet, pull("l2", old)).contains("not enrolled: no folder in fleet.dir"));
        Path l2 = Files.createDirectories(fleet.resolve("l2"));
        assertTrue(Enrolment.refusal(fleet, pull("l2", old)).contains("not enrolled: no box.pub in its folder"));
        Files.writeString(l2.resolve("box.pub"), "# nothing yet\n\n");
        assertTrue(Enrolment.refusal(fleet, pull("l2", old)).contains("has no key line"));
        Files.writeString(l2.resolve("box.pub"), KeyLines.line(now.getPublic()) + "\n");
        assertTrue(Enrolment.refusal(fleet, pull("l2", old)).contains("signature does not verify with any key in box.pub"));
        assertNull(Enrolment.refusal(fleet, pull("l2", now)));

        Files.writeString(l2.resolve("box.pub"), "# rotating: the old key until the box runs the new one\n"
                + KeyLines.line(old.getPublic()) + " l2 2025\n  " + KeyLines.line(now.getPublic()) + "\n");
        assertNull(Enrolment.refusal(fleet, pull("l2", old)));
        assertNull(Enrolment.refusal(fleet, pull("l2", now)));
        assertTrue(Enrolment.refusal(fleet, pull("l2", KeyLines.generate())).contains("does not verify"));
        assertEquals(List.of(), Enrolment.problems(l2, true));

        Files.writeString(l2.resolve("box.pub"), KeyLines.line(now.getPublic()) + "\ned25519:AAAA\n");
        assertNull(Enrolment.refusal(fleet, pull("l2", now)), "a bad line does not spoil the good ones");
        assertTrue(Enrolment.problems(l2, true).get(0).toString().contains("box.pub:2: 'ed25519:AAAA': an Ed25519 key has 32 bytes"));
        Files.delete(l2.resolve("box.pub"));
        assertEquals(List.of(), Enrolment.problems(l2, false));
        assertTrue(Enrolment.problems(l2, true).get(0).toString().contains("missing: the box is not enrolled"));
    }

    @Test
    void anAnswerIsTakenOnlyWithTheNonceJustSentAndForThisBox() throws Exception {
        KeyPair top = KeyLines.generate();
        List<String> trust = List.of(KeyLines.line(top.getPublic()));
        Bundle b = Bundle.sign("l2", 4, "a.example = direct\n".getBytes(StandardCharsets.UTF_8), new byte[0], top.getPrivate());
        String nonce = Pull.freshNonce();
        Answer a = Answer.parse(Answer.sign(b, nonce, top.getPrivate()));
        assertNull(a.refusal(trust, "l2", nonce));
        assertTrue(java.util.Arrays.equals(b.bytes(), a.bundle()), "the bundle inside is the stored, stable one");
        assertTrue(a.refusal(trust, "l2", Pull.freshNonce()).contains("its nonce differs"));
        assertTrue(a.refusal(trust, "l3", nonce).contains("answer is for box 'l2'"));
        assertTrue(a.refusal(List.of(KeyLines.line(KeyLines.generate().getPublic())), "l2", nonce)
                .contains("answer signature does not verify"));
        byte[] swapped = Answer.sign(b, nonce, top.getPrivate());
        String other = Pull.freshNonce();
        byte[] edited = new String(swapped, StandardCharsets.UTF_8).replace(nonce, other).getBytes(StandardCharsets.UTF_8);
        assertTrue(Answer.parse(edited).refusal(trust, "l2", other).contains("answer signature does not verify"),
                "a relay cannot put the new nonce into an old answer");
        for (int cut = 0; cut < swapped.length; cut += 11) {
            byte[] t = java.util.Arrays.copyOf(swapped, cut);
            assertThrows(IllegalArgumentException.class, () -> Answer.parse(t));
        }
    }
}
