package lnm.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.Inet4Address;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IpLiteralTest {

    @Test
    void v4() {
        assertArrayEquals(new byte[] {10, 3, 0, 15}, IpLiteral.parseV4("10.3.0.15"));
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255}, IpLiteral.parseV4("255.255.255.255"));
        assertArrayEquals(new byte[] {0, 0, 0, 0}, IpLiteral.parseV4("0.0.0.0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4.", ".1.2.3.4", "1..2.3",
        "a.b.c.d", "1.2.3.4 ", "-1.2.3.4", "1.2.3.0x1", "1234.1.1.1", "example.com"})
    void badV4(String s) {
        assertNull(IpLiteral.parseV4(s), s);
    }

    @ParameterizedTest
    @CsvSource({
        "::, ::",
        "::1, ::1",
        "1::, 1::",
        "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:0db8:0000:0000:0000:ff00:0042:8329, 2001:db8::ff00:42:8329",
        "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
        "1:0:3:4:5:6:7:8, 1:0:3:4:5:6:7:8",
        "::ffff:10.3.0.7, ::ffff:10.3.0.7",
        "::ffff:a03:7, ::ffff:10.3.0.7",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
        "fe80::1:2, fe80::1:2",
    })
    void v6RoundTripsToRfc5952(String in, String canonical) {
        byte[] b = IpLiteral.parseV6(in);
        assertEquals(16, b.length, in);
        assertEquals(canonical, IpLiteral.format(b));
        assertArrayEquals(b, IpLiteral.parseV6(canonical));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:::2", "::1::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", "g::",
        ":1::", "1::2:", "1:2:3:4:5:6:7:8::", "::1.2.3.4:5", "::256.1.1.1", "fe80::1%eth0", "[::1]", "1.2.3.4",
        "::\uff11"})
    void badV6(String s) {
        assertNull(IpLiteral.parseV6(s), s);
    }

    @Test
    void toInetNeverResolvesAndUnmapsMapped() {
        assertEquals("10.3.0.7", IpLiteral.format(IpLiteral.toInet(IpLiteral.parse("10.3.0.7"))));
        // getByAddress turns a mapped address into an Inet4Address; CidrSet relies on neither form.
        assertEquals(Inet4Address.class, IpLiteral.toInet(IpLiteral.parse("::ffff:10.3.0.7")).getClass());
    }
}
