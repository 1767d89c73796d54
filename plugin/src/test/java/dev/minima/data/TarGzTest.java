package dev.minima.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tar reader against archives written by the system's GNU tar in its three formats, and its refusal of
 * entry names that leave the archive.
 */
class TarGzTest {

    @TempDir
    Path tmp;

    private static final String LONG_DIR = "package/" + "d".repeat(120);

    @ParameterizedTest
    @ValueSource(strings = {"ustar", "gnu", "pax"})
    void readsRegularFilesIncludingLongNames(String format) throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("package/data"));
        Files.writeString(src.resolve("package/data/a.txt"), "hello");
        byte[] big = new byte[70_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7);
        }
        Files.write(src.resolve("package/data/big.bin"), big);
        boolean longNames = !format.equals("ustar");
        if (longNames) {
            Files.createDirectories(src.resolve(LONG_DIR));
            Files.writeString(src.resolve(LONG_DIR + "/long-file-name.txt"), "long");
        }
        Path tgz = tmp.resolve("t-" + format + ".tgz");
        Process p = tryStart(new ProcessBuilder("tar", "--format=" + format, "-czf", tgz.toString(), "-C",
                src.toString(), "package").redirectErrorStream(true));
        assumeTrue(p != null, "needs the system tar to write test archives");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);

        Map<String, byte[]> files = new TreeMap<>();
        try (InputStream in = Files.newInputStream(tgz)) {
            TarGz.read(in, (name, size, content) -> {
                byte[] b = content.readAllBytes();
                assertEquals(size, b.length);
                files.put(name, b);
            });
        }
        assertEquals("hello", new String(files.get("package/data/a.txt"), StandardCharsets.UTF_8));
        assertEquals(Arrays.toString(big), Arrays.toString(files.get("package/data/big.bin")));
        if (longNames) {
            assertEquals("long", new String(files.get(LONG_DIR + "/long-file-name.txt"), StandardCharsets.UTF_8));
            assertEquals(3, files.size(), files.keySet().toString());
        } else {
            assertEquals(2, files.size(), files.keySet().toString());
        }
    }

    @Test
    void garbageIsRejected() throws Exception {
        Path notGzip = tmp.resolve("x.tgz");
        Files.writeString(notGzip, "this is not a tarball");
        assertThrows(IOException.class, () -> {
            try (InputStream in = Files.newInputStream(notGzip)) {
                TarGz.read(in, (name, size, content) -> {});
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"package/../../evil.txt", "/etc/evil.txt", ".."})
    void namesThatLeaveTheArchiveAreRefused(String name) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            byte[] data = "x".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry(name, true); // as written, leading '/' and '..' kept
            entry.setSize(data.length);
            tar.putArchiveEntry(entry);
            tar.write(data);
            tar.closeArchiveEntry();
        }
        IOException e = assertThrows(IOException.class, () -> TarGz.read(new ByteArrayInputStream(bytes.toByteArray()),
                (n, size, content) -> {}));
        assertTrue(e.getMessage().contains("outside the archive"), e.getMessage());
    }

    private static Process tryStart(ProcessBuilder pb) {
        try {
            return pb.start();
        } catch (IOException e) {
            return null;
        }
    }
}
