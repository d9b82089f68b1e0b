/* OMA LwM2M Firmware Update object (/5) values: the one table of State and Update Result
 * meanings (OMA-TS-LightweightM2M-V1_0, object 5; MODULE.md §5). */
#ifndef LARAFW_SRV_OMA_H
#define LARAFW_SRV_OMA_H

#include <stdbool.h>

enum srv_fw_state { /* /5/0/3 */
                    SRV_FW_STATE_IDLE = 0,
                    SRV_FW_STATE_DOWNLOADING = 1,
                    SRV_FW_STATE_DOWNLOADED = 2,
                    SRV_FW_STATE_UPDATING = 3,
};

enum srv_fw_result { /* /5/0/5 */
                     SRV_FW_RESULT_INITIAL = 0,
                     SRV_FW_RESULT_SUCCESS = 1,
                     SRV_FW_RESULT_NO_FLASH = 2,
                     SRV_FW_RESULT_NO_RAM = 3,
                     SRV_FW_RESULT_CONN_LOST = 4,
                     SRV_FW_RESULT_INTEGRITY = 5,
                     SRV_FW_RESULT_PKG_TYPE = 6,
                     SRV_FW_RESULT_BAD_URI = 7,
                     SRV_FW_RESULT_UPDATE_FAILED = 8,
                     SRV_FW_RESULT_PROTOCOL = 9,
};

/* Name of a State value ("downloaded"), "unknown" outside 0..3. */
const char *srv_oma_state_name(int state);
/* Meaning of an Update Result value ("integrity check failure"), "unknown" outside 0..9. */
const char *srv_oma_result_text(int result);
/* True for the Update Result values that report a failure (2..9 and unknown values > 1). */
bool srv_oma_result_is_error(int result);

#endif
