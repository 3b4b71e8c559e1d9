// Float convolution and pooling helpers for the fast kernels of DescentKernels
// (`FastConvolution2D`, `FastPooling2D`): the im2col gather that turns a convolution into one GEMM
// per image and group, its adjoint (col2im, a scatter-add), and the pooling loops.
//
// Layout: NCHW throughout (the layout of the API and of model files), so no layout conversion is
// ever paid (for small convolutions a reorder can cost more than the convolution itself: pytorch
// #27974). An image's column matrix is `[C·kh·kw, OH·OW]`, row `(c·kh + i)·kw + j` holding the input
// pixel under kernel tap (i, j) of channel c for every output pixel; the weight `[O, C·kh·kw]` times
// it is the image's output `[O, OH·OW]`, already NCHW.
//
// Every loop writes each output element from a fixed sequence of operations that does not depend on
// which thread runs it or how the work is split, so a split across threads is bit-identical to one
// thread (the callers split by images or planes).
#include "CDescentKernels.h"

#include <math.h>
#include <string.h>

// The output columns [*lower, *upper) whose input column `ow·sw − pw + tap` lies in [0, width).
static inline void valid_range(long outputs, long stride, long offset, long width, long *lower, long *upper) {
    // First ow with ow·stride + offset ≥ 0, first ow with ow·stride + offset ≥ width.
    long lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    long hi = width - offset <= 0 ? 0 : (width - offset + stride - 1) / stride;
    if (lo > outputs) lo = outputs;
    if (hi > outputs) hi = outputs;
    if (hi < lo) hi = lo;
    *lower = lo;
    *upper = hi;
}

void descent_im2col_f32(const float *x, const descent_window_t *w, float *col) {
    const long H = w->height, W = w->width, OH = w->outputHeight, OW = w->outputWidth;
    const long P = OH * OW;
    for (long c = 0; c < w->channels; c++) {
        const float *plane = x + c * H * W;
        for (long i = 0; i < w->kernelHeight; i++) {
            for (long j = 0; j < w->kernelWidth; j++) {
                float *row = col + ((c * w->kernelHeight + i) * w->kernelWidth + j) * P;
                const long offset = j * w->dilationWidth - w->paddingWidth;
                long lo, hi;
                valid_range(OW, w->strideWidth, offset, W, &lo, &hi);
                for (long oh = 0; oh < OH; oh++) {
                    float *out = row + oh * OW;
                    const long ih = oh * w->strideHeight - w->paddingHeight + i * w->dilationHeight;
                    if (ih < 0 || ih >= H) {
                        memset(out, 0, (size_t)OW * sizeof(float));
                        continue;
                    }
                    const float *in = plane + ih * W + offset;
                    for (long ow = 0; ow < lo; ow++) out[ow] = 0;
                    if (w->strideWidth == 1) {
                        memcpy(out + lo, in + lo, (size_t)(hi - lo) * sizeof(float));
                    } else {
                        const long s = w->strideWidth;
                        for (long ow = lo; ow < hi; ow++) out[ow] = in[ow * s];
                    }
                    for (long ow = hi; ow < OW; ow++) out[ow] = 0;
                }
            }
        }
    }
}

void descent_col2im_add_f32(const float *col, const descent_window_t *w, float *dx) {
    const long H = w->height, W = w->width, OH = w->outputHeight, OW = w->outputWidth;
    const long P = OH * OW;
    for (long c = 0; c < w->channels; c++) {
        float *plane = dx + c * H * W;
        for (long i = 0; i < w->kernelHeight; i++) {
            for (long j = 0; j < w->kernelWidth; j++) {
                const float *row = col + ((c * w->kernelHeight + i) * w->kernelWidth + j) * P;
                const long offset = j * w->dilationWidth - w->paddingWidth;
                long lo, hi;
                valid_range(OW, w->strideWidth, offset, W, &lo, &hi);
                for (long oh = 0; oh < OH; oh++) {
                    const long ih = oh * w->strideHeight - w->paddingHeight + i * w->dilationHeight;
                    if (ih < 0 || ih >= H) continue;
                    const float *in = row + oh * OW;
                    float *out = plane + ih * W + offset;
                    if (w->strideWidth == 1) {
                        for (long ow = lo; ow < hi; ow++) out[ow] += in[ow];
                    } else {
                        const long s = w->strideWidth;
                        for (long ow = lo; ow < hi; ow++) out[ow * s] += in[ow];
                    }
                }
            }
        }
    }
}

void descent_conv_bias_rows_f32(const float *bias, long channels, long pixels, float *y) {
    for (long c = 0; c < channels; c++) {
        float *row = y + c * pixels;
        const float b = bias[c];
        for (long p = 0; p < pixels; p++) row[p] = b;
    }
}

// MARK: - Pooling

void descent_max_pool_forward_f32(const float *x, const descent_window_t *w, long planes, float *y, long *indices) {
    const long H = w->height, W = w->width, OH = w->outputHeight, OW = w->outputWidth;
    const int simple = w->kernelHeight == 2 && w->kernelWidth == 2 && w->strideHeight == 2 && w->strideWidth == 2 &&
                       w->paddingHeight == 0 && w->paddingWidth == 0 && w->dilationHeight == 1 && w->dilationWidth == 1;
    for (long q = 0; q < planes; q++) {
        const float *in = x + q * H * W;
        float *out = y + q * OH * OW;
        long *index = indices + q * OH * OW;
        if (simple) {
            // 2×2, stride 2: the window's four values in row-major order, as the general loop
            // visits them (a NaN wins, then the first of equal maxima).
            for (long oh = 0; oh < OH; oh++) {
                const float *r0 = in + 2 * oh * W, *r1 = r0 + W;
                for (long ow = 0; ow < OW; ow++) {
                    long best = 2 * oh * W + 2 * ow;
                    float m = r0[2 * ow];
                    float v = r0[2 * ow + 1];
                    if (v > m || isnan(v)) { m = v; best = 2 * oh * W + 2 * ow + 1; }
                    v = r1[2 * ow];
                    if (v > m || isnan(v)) { m = v; best = (2 * oh + 1) * W + 2 * ow; }
                    v = r1[2 * ow + 1];
                    if (v > m || isnan(v)) { m = v; best = (2 * oh + 1) * W + 2 * ow + 1; }
                    out[oh * OW + ow] = m;
                    index[oh * OW + ow] = best;
                }
            }
            continue;
        }
        // PyTorch's rule (aten/src/ATen/native/cpu/MaxPoolKernel.cpp): start from −∞ at the first
        // tap inside the input, then take a value greater than the maximum or a NaN.
        for (long oh = 0; oh < OH; oh++) {
            long ih0 = oh * w->strideHeight - w->paddingHeight;
            while (ih0 < 0) ih0 += w->dilationHeight;
            for (long ow = 0; ow < OW; ow++) {
                long iw0 = ow * w->strideWidth - w->paddingWidth;
                while (iw0 < 0) iw0 += w->dilationWidth;
                float m = -INFINITY;
                long best = ih0 * W + iw0;
                for (long i = 0; i < w->kernelHeight; i++) {
                    const long ih = oh * w->strideHeight - w->paddingHeight + i * w->dilationHeight;
                    if (ih < 0 || ih >= H) continue;
                    for (long j = 0; j < w->kernelWidth; j++) {
                        const long iw = ow * w->strideWidth - w->paddingWidth + j * w->dilationWidth;
                        if (iw < 0 || iw >= W) continue;
                        const float v = in[ih * W + iw];
                        if (v > m || isnan(v)) { m = v; best = ih * W + iw; }
                    }
                }
                out[oh * OW + ow] = m;
                index[oh * OW + ow] = best;
            }
        }
    }
}

void descent_max_pool_backward_f32(const float *dy, const long *indices, long planes, long inputPixels,
                                   long outputPixels, float *dx) {
    for (long q = 0; q < planes; q++) {
        float *out = dx + q * inputPixels;
        memset(out, 0, (size_t)inputPixels * sizeof(float));
        const float *g = dy + q * outputPixels;
        const long *index = indices + q * outputPixels;
        for (long p = 0; p < outputPixels; p++) {
            out[index[p]] += g[p];
        }
    }
}
