/* Arbitrary line rates through termios2 (BOTHER). Kept apart because <asm/termbits.h>
 * cannot be included together with <termios.h>. */
#define _DEFAULT_SOURCE
#include "larafw_posix.h"

#if defined(__linux__)
#include <asm/termbits.h>
#include <sys/ioctl.h>

int lfw_posix_set_custom_baud(int fd, uint32_t baud)
{
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) < 0)
        return LFW_POSIX_E_IO;
    t.c_cflag &= ~(tcflag_t)CBAUD;
    t.c_cflag |= BOTHER;
    t.c_ispeed = baud;
    t.c_ospeed = baud;
    /* Input speed follows output speed: clear the separate input-rate field. */
    t.c_cflag &= ~(tcflag_t)(CBAUD << IBSHIFT);
    t.c_cflag |= (tcflag_t)(BOTHER << IBSHIFT);
    if (ioctl(fd, TCSETS2, &t) < 0)
        return LFW_POSIX_E_IO;
    return 0;
}
#else
int lfw_posix_set_custom_baud(int fd, uint32_t baud)
{
    (void)fd;
    (void)baud;
    return LFW_POSIX_E_BAUD;
}
#endif
