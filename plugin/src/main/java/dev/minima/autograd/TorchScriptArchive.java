package dev.minima.autograd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds a TorchScript archive (the zip that {@code torch.jit.save} writes) from serialized TorchScript
 * source kept in this repository, so no Python is needed to build or run Minima.
 *
 * <p>An archive of a module without parameters holds four entries under one folder: {@code
 * code/__torch__.py} (the class source), {@code data.pkl} (a pickle that instantiates the class and sets its
 * attributes), {@code constants.pkl} (an empty tuple) and {@code version} (the format version, 3 here, which
 * libtorch 2.x still loads). The pickles are written byte for byte as {@code torch.jit.save} writes them
 * (protocol 2); entries are stored uncompressed.
 */
public final class TorchScriptArchive {

    private static final int FORMAT_VERSION = 3;

    private TorchScriptArchive() {}

    /**
     * Reads a class-path resource as UTF-8 text.
     *
     * @param resource absolute resource name
     * @return its text
     */
    public static String readResource(String resource) {
        try (InputStream in = TorchScriptArchive.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("TorchScript source " + resource + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Builds the archive of a parameter-free module whose class is declared in {@code source}.
     *
     * @param folder the archive's top folder name
     * @param className the class name declared in the source (in module {@code __torch__})
     * @param source serialized TorchScript source of {@code __torch__.py}
     * @return the zip bytes
     */
    public static byte[] build(String folder, String className, String source) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                put(zip, folder + "/data.pkl", dataPickle(className));
                put(zip, folder + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
                put(zip, folder + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
                put(zip, folder + "/version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The pickle {@code torch.jit.save} writes for a module with attributes {@code training = True} and
     * {@code _is_full_backward_hook = None}: GLOBAL, EMPTY_TUPLE, NEWOBJ, then BUILD with a dict.
     */
    private static byte[] dataPickle(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80); // PROTO
        p.write(2);
        p.write('c'); // GLOBAL module\nname\n
        p.writeBytes(("__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        p.writeBytes(new byte[] {'q', 0}); // BINPUT 0
        p.write(')'); // EMPTY_TUPLE
        p.write(0x81); // NEWOBJ
        p.write('}'); // EMPTY_DICT
        p.write('('); // MARK
        binUnicode(p, "training");
        p.writeBytes(new byte[] {'q', 1});
        p.write(0x88); // NEWTRUE
        binUnicode(p, "_is_full_backward_hook");
        p.writeBytes(new byte[] {'q', 2});
        p.write('N'); // NONE
        p.write('u'); // SETITEMS
        p.write('b'); // BUILD
        p.writeBytes(new byte[] {'q', 3});
        p.write('.'); // STOP
        return p.toByteArray();
    }

    private static void binUnicode(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.write(b.length & 0xff);
        p.write((b.length >>> 8) & 0xff);
        p.write((b.length >>> 16) & 0xff);
        p.write((b.length >>> 24) & 0xff);
        p.writeBytes(b);
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTime(315532800000L); // 1980-01-01, as torch.jit.save
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
