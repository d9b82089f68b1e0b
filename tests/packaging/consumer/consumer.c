/* A program outside the tree, built against the *installed* liblarafw (pkg-config or
 * find_package): the core's tables and CRC, and the POSIX port on a pipe. Prints "ok". */
#include <larafw/error.h>
#include <larafw/posix.h>
#include <larafw/xmodem.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    static const uint8_t check[] = "123456789";
    if (lfw_xmodem_crc16(0, check, 9) != 0x31C3) { /* CRC-16/XMODEM check value */
        fprintf(stderr, "crc16 wrong\n");
        return 1;
    }
    if (!lfw_strerror(LFW_ETIMEDOUT) || !lfw_result_str(128)) {
        fprintf(stderr, "no error texts\n");
        return 1;
    }
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    struct lfw_posix_serial in, out;
    lfw_posix_serial_attach(&in, fds[0]);
    lfw_posix_serial_attach(&out, fds[1]);
    if (lfw_posix_serial_write(&out, "AT\r", 3, 1000) != 3)
        return 1;
    char buf[8] = {0};
    if (lfw_posix_serial_read(&in, buf, sizeof buf - 1, 1000) != 3 || strcmp(buf, "AT\r") != 0) {
        fprintf(stderr, "posix port: read back '%s'\n", buf);
        return 1;
    }
    lfw_posix_serial_close(&in);
    lfw_posix_serial_close(&out);
    printf("ok %s\n", lfw_result_str(128));
    return 0;
}
