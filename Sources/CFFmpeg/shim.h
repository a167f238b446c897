#include <errno.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/error.h>

// Swift cannot import function-like macros or macros built from casts and compound literals,
// so the few that flowrun needs are re-exported here as functions.

/// AVERROR(EAGAIN): the codec wants input before it can give output (or the reverse).
static inline int cffmpeg_error_again(void) { return AVERROR(EAGAIN); }

/// AVERROR_EOF: the codec or demuxer has nothing more to give.
static inline int cffmpeg_error_eof(void) { return AVERROR_EOF; }

/// AVERROR_INVALIDDATA: what demuxers and decoders return for corrupt input.
static inline int cffmpeg_error_invalid_data(void) { return AVERROR_INVALIDDATA; }

/// AV_NOPTS_VALUE: "no timestamp".
static inline int64_t cffmpeg_no_pts(void) { return AV_NOPTS_VALUE; }

/// The message libavutil has for an error code (av_err2str is a macro over a compound literal).
static inline void cffmpeg_error_string(int code, char *buffer, size_t size) {
    if (av_strerror(code, buffer, size) < 0) {
        snprintf(buffer, size, "FFmpeg error %d", code);
    }
}

/// AVERROR_STREAM_NOT_FOUND: av_find_best_stream found no stream of the wanted type.
static inline int cffmpeg_error_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
