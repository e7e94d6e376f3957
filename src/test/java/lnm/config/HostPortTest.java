package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {

    @ParameterizedTest
    @CsvSource({
        "10.4.0.10, -1, 10.4.0.10, -1, 10.4.0.10",
        "10.4.0.10, 443, 10.4.0.10, 443, 10.4.0.10:443",
        "10.3.0.20:8443, 443, 10.3.0.20, 8443, 10.3.0.20:8443",
        "Historian.Plant.Local, -1, historian.plant.local, -1, historian.plant.local",
        "proxy.l4.example.:3128, -1, proxy.l4.example, 3128, proxy.l4.example:3128",
        "[2001:db8::1]:443, -1, 2001:db8::1, 443, [2001:db8::1]:443",
        "[2001:DB8:0::1], 8883, 2001:db8::1, 8883, [2001:db8::1]:8883",
        "2001:db8::1, -1, 2001:db8::1, -1, [2001:db8::1]",
        "'  host_a:1  ', -1, host_a, 1, host_a:1",
        "h:65535, -1, h, 65535, h:65535",
    })
    void parses(String in, int defaultPort, String host, int port, String text) {
        HostPort hp = HostPort.parse(in, defaultPort);
        assertEquals(new HostPort(host, port), hp);
        assertEquals(text, hp.toString());
        assertEquals(hp, HostPort.parse(hp.toString(), defaultPort), "toString parses back");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''| empty host",
        "h:| missing port",
        "h:0| out of range 1-65535",
        "h:65536| out of range 1-65535",
        "h:99999999| not a number",
        "h:https| not a number",
        ":443| missing host",
        "[::1| missing ']'",
        "[::1]443| expected ':port'",
        "[10.0.0.1]:443| not an IPv6 address",
        "2001:db8::zz| not an IPv6 address",
        "bad host:1| not a valid host name (character ' '",
        "a..b| empty label",
        "10.3.0.256| not a valid IPv4 address",
        "*.example.com| character '*'",
    })
    void rejectsWithClearMessage(String in, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse(in, -1));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void constructorChecksPort() {
        assertThrows(IllegalArgumentException.class, () -> new HostPort("h", 0));
        assertThrows(IllegalArgumentException.class, () -> new HostPort("", 1));
        assertEquals(new HostPort("h", 443), new HostPort("h", -1).withDefaultPort(443));
        assertEquals(new HostPort("h", 8443), new HostPort("h", 8443).withDefaultPort(443));
    }
}
