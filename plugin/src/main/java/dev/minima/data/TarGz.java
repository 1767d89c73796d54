package dev.minima.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * A minimal reader of gzip-compressed tar archives (POSIX ustar, with pax and GNU long-name extensions),
 * enough to pull regular files out of an npm package tarball.
 */
final class TarGz {

    private static final int BLOCK = 512;

    /** Receives the archive's regular files. */
    interface EntryHandler {
        /**
         * Called for each regular file.
         *
         * @param name the entry's path inside the archive
         * @param size its size in bytes
         * @param content its content; reading past {@code size} bytes is not possible; unread bytes are skipped
         * @throws IOException to abort
         */
        void entry(String name, long size, InputStream content) throws IOException;
    }

    private TarGz() {}

    /**
     * Reads a .tgz stream and calls the handler for every regular file.
     *
     * @param tgz the compressed archive
     * @param handler receives the files
     * @throws IOException on a read error or a malformed archive
     */
    static void read(InputStream tgz, EntryHandler handler) throws IOException {
        InputStream in = new GZIPInputStream(tgz, 1 << 16);
        byte[] header = new byte[BLOCK];
        String longName = null;
        while (true) {
            if (!readBlock(in, header)) {
                return; // end of stream without the zero blocks: accept
            }
            if (isZero(header)) {
                return;
            }
            if (!checksumOk(header)) {
                throw new IOException("corrupt tar header (bad checksum)");
            }
            long size = parseSize(header);
            char type = (char) header[156];
            String name = longName != null ? longName : headerName(header);
            longName = null;
            if (type == 'x' || type == 'L') {
                byte[] data = readBytes(in, size);
                skipPadding(in, size);
                if (type == 'L') {
                    longName = cString(data, 0, data.length);
                } else {
                    longName = paxPath(data);
                }
                continue;
            }
            BoundedStream content = new BoundedStream(in, size);
            if (type == '0' || type == '\0' || type == '7') {
                handler.entry(name, size, content);
            }
            content.skipRest();
            skipPadding(in, size);
        }
    }

    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        int off = 0;
        while (off < block.length) {
            int n = in.read(block, off, block.length - off);
            if (n < 0) {
                if (off == 0) {
                    return false;
                }
                throw new EOFException("truncated tar archive");
            }
            off += n;
        }
        return true;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean checksumOk(byte[] h) {
        long stored = parseOctal(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        return stored == sum;
    }

    private static long parseSize(byte[] h) throws IOException {
        if ((h[124] & 0x80) != 0) { // GNU base-256 encoding for large files
            long v = 0;
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        long v = parseOctal(h, 124, 12);
        if (v < 0) {
            throw new IOException("corrupt tar header (bad size)");
        }
        return v;
    }

    private static long parseOctal(byte[] h, int off, int len) {
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        for (; i < end; i++) {
            byte b = h[i];
            if (b == 0 || b == ' ') {
                break;
            }
            if (b < '0' || b > '7') {
                return -1;
            }
            v = (v << 3) + (b - '0');
        }
        return v;
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        if (ustar) {
            String prefix = cString(h, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** Extracts {@code path=} from pax records ({@code "<len> key=value\n"}); null if absent. */
    private static String paxPath(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0 && line.startsWith("path=", space + 1)) {
                return line.substring(space + 1 + "path=".length());
            }
        }
        return null;
    }

    private static byte[] readBytes(InputStream in, long size) throws IOException {
        if (size > (1 << 20)) {
            throw new IOException("tar extension header too large: " + size);
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException("truncated tar archive");
        }
        return data;
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        skipFully(in, pad);
    }

    private static void skipFully(InputStream in, long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("truncated tar archive");
                }
                skipped = 1;
            }
            n -= skipped;
        }
    }

    /** A view of the next {@code size} bytes of the archive. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedStream(InputStream in, long size) {
            this.in = in;
            this.remaining = size;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("truncated tar archive");
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("truncated tar archive");
            }
            remaining -= n;
            return n;
        }

        void skipRest() throws IOException {
            skipFully(in, remaining);
            remaining = 0;
        }

        @Override
        public void close() {
            // the archive stream stays open
        }
    }
}
