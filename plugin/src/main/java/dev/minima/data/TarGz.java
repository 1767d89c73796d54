package dev.minima.data;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The regular files of a gzip-compressed tar archive (an npm package tarball), read with Apache Commons
 * Compress (ustar, GNU and pax formats). Entry names that are absolute or climb out with {@code ..} are refused,
 * links and special files are skipped, and a handler cannot read past its entry; a caller that writes an
 * entry checks its size against what it expects before copying it.
 */
final class TarGz {

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
     * @param tgz the compressed archive (not closed)
     * @param handler receives the files
     * @throws IOException on a read error, a malformed archive or an unsafe entry name
     */
    static void read(InputStream tgz, EntryHandler handler) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(
                new GzipCompressorInputStream(new BufferedInputStream(tgz, 1 << 16)));
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            if (!entry.isFile() || entry.isSymbolicLink() || entry.isLink()) {
                continue;
            }
            String name = entry.getName();
            if (name.startsWith("/") || ("/" + name + "/").contains("/../")) {
                throw new IOException("tar entry '" + name + "' points outside the archive; refusing it");
            }
            handler.entry(name, entry.getSize(), new FilterInputStream(tar) {
                @Override
                public void close() {
                    // the archive stream stays open; the next entry skips what is left of this one
                }
            });
        }
    }
}
