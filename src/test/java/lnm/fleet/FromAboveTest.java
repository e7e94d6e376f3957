package lnm.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.config.Config;
import lnm.config.ConfigLayer;
import lnm.config.Enforcement;
import lnm.config.LoadResult;

/** Which keys a bundle may set: every per-source limit is policy, a listener is the box's own. */
class FromAboveTest {
    @Test
    void theLimitsMayComeFromAbove() {
        for (String k : new String[] {"limits.perSourceConnections", "limits.perSourceRate", "limits.ipv6PrefixLength"}) {
            assertTrue(FromAbove.allowed(k), k);
        }
        assertTrue(FromAbove.whyNot().contains("limits.ipv6PrefixLength"));
    }

    @Test
    void whatMakesTheBoxStaysLocal() {
        assertFalse(FromAbove.allowed("listen.https.acceptProxyProtocol"));
        assertFalse(FromAbove.allowed("fleet.trust"));
    }

    @TempDir
    Path dir;

    private LoadResult withBundle(String overrides) throws Exception {
        Path file = dir.resolve("lnm.properties");
        Files.writeString(file, "listen.https = 127.0.0.1:443\nlisten.mqtts = 127.0.0.1:8883\nlisten.mqtts.policy = enforce\n");
        Files.writeString(dir.resolve("allowlist.properties"), "");
        return Config.load(file, new ConfigLayer(dir.resolve("bundle-allowlist.properties"), "a.example = direct\n",
                dir.resolve("bundle-lnm.properties"), overrides, FromAbove::allowed, FromAbove.whyNot()));
    }

    @Test
    void aBundleSwitchesTheBoxToReportButNoListenerOfItsOwn() throws Exception {
        assertTrue(FromAbove.allowed("policy"));
        assertFalse(FromAbove.allowed("listen.https.policy"));
        LoadResult r = withBundle("policy = report\n");
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(Enforcement.REPORT, r.config().policy());
        assertEquals(Enforcement.REPORT, r.config().listener("https").orElseThrow().policy());
        assertEquals(Enforcement.ENFORCE, r.config().listener("mqtts").orElseThrow().policy(), "the box's own listener key stays");
        assertEquals(Enforcement.ENFORCE, withBundle("policy = enforce\n").config().listener("https").orElseThrow().policy());

        LoadResult listener = withBundle("listen.https.policy = report\n");
        assertFalse(listener.ok());
        assertTrue(listener.problems().get(0).toString().contains("listen.https.policy"), listener.problems().toString());
    }
}
