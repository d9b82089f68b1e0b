/* bench/xmodem-turnaround's sender: liblarafw's XMODEM-1K sender (src/core/xmodem.c) on the
 * POSIX port, over stdin/stdout (one socket), like `sx -k FILE`. Not installed.
 *
 *   xmodem-send [--one-buffer] FILE
 *
 * --one-buffer gives the sender room for one block only, so that it reads and checksums each
 * block after the ACK of the one before (the behaviour before the two-block buffer).
 * Exit status 0 when the receiver acknowledged EOT. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>

#include "larafw/port.h"
#include "larafw/source.h"
#include "larafw/xmodem.h"
#include "larafw_posix.h"

int main(int argc, char **argv)
{
    int one_buffer = argc == 3 && strcmp(argv[1], "--one-buffer") == 0;
    if (argc != 2 + one_buffer) {
        fprintf(stderr, "usage: xmodem-send [--one-buffer] FILE\n");
        return 2;
    }
    static struct lfw_posix_serial line;
    static struct lfw_posix_file file;
    static uint8_t block[LFW_XMODEM_BUF_1K_2];
    struct lfw_port port;
    struct lfw_source src;
    if (lfw_posix_file_open(&file, argv[argc - 1]) < 0 || lfw_posix_source_init(&src, &file) < 0) {
        perror(argv[argc - 1]);
        return 2;
    }
    lfw_posix_serial_attach(&line, 0); /* stdin: a socket, read and written */
    lfw_posix_port_init(&port, &line);
    struct lfw_xmodem_config cfg = {
        .port = &port,
        .block_buf = block,
        .block_buf_size = one_buffer ? LFW_XMODEM_BUF_1K : sizeof block,
        .block_size = 1024,
        .start_timeout_ms = 10000,
    };
    struct lfw_xmodem x;
    int rc = lfw_xmodem_init(&x, &cfg);
    if (rc == 0)
        rc = lfw_xmodem_send(&x, &src);
    lfw_posix_file_close(&file);
    if (rc != 0) {
        fprintf(stderr, "xmodem-send: failed (%d)\n", rc);
        return 1;
    }
    return 0;
}
