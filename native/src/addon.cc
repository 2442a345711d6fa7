// Node-API surface of NVX. JavaScript binds one kernel at a time: `bind(name)` returns the
// functions with that kernel as their callback data, so a call dispatches with no lookup and
// tests can run every kernel the CPU has side by side.
//
//   kernels                          [{ name, usable }], best first
//   bind(name) -> {
//     mask(source, output, outputOffset, length, key)    key: uint32, rotated to the phase
//     unmask(buffer, key)
//     isValidUtf8(buffer) -> boolean
//     push(state, chunk[, start, end]) -> boolean         state: Float64Array(4), see utf8-stream.h
//     unmaskPush(state, buffer, key) -> boolean
//   }
//
// Arguments are checked here (types and bounds) because a wrong one would touch memory it must
// not; friendlier validation of user input happens in the TypeScript layer.
#include <napi.h>

#include <cstdint>

#include "registry.h"
#include "utf8-stream.h"

namespace {

using nvx::Kernel;

struct Bytes {
  uint8_t* data = nullptr;
  size_t length = 0;
};

bool getBytes(const Napi::CallbackInfo& info, size_t index, Bytes* out) {
  napi_typedarray_type type;
  void* data = nullptr;
  // No arraybuffer/byteOffset out-parameters: asking for them costs a handle per call.
  napi_status status =
      napi_get_typedarray_info(info.Env(), info[index], &type, &out->length, &data, nullptr, nullptr);
  if (status != napi_ok || type != napi_uint8_array) {
    Napi::TypeError::New(info.Env(), "NVX: expected a Uint8Array").ThrowAsJavaScriptException();
    return false;
  }
  out->data = static_cast<uint8_t*>(data);
  return true;
}

bool getIndex(const Napi::CallbackInfo& info, size_t index, size_t* out) {
  double d = 0;
  if (napi_get_value_double(info.Env(), info[index], &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0) {
    Napi::RangeError::New(info.Env(), "NVX: expected a non-negative integer").ThrowAsJavaScriptException();
    return false;
  }
  *out = size_t(d);
  return true;
}

bool getKey(const Napi::CallbackInfo& info, size_t index, uint32_t* out) {
  if (napi_get_value_uint32(info.Env(), info[index], out) != napi_ok) {
    Napi::TypeError::New(info.Env(), "NVX: expected a uint32 mask key").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

bool getState(const Napi::CallbackInfo& info, size_t index, nvx::StreamState** out) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_status status = napi_get_typedarray_info(info.Env(), info[index], &type, &length, &data, nullptr, nullptr);
  if (status != napi_ok || type != napi_float64_array || length < nvx::kStreamStateSlots) {
    Napi::TypeError::New(info.Env(), "NVX: expected a Float64Array(4) validator state").ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<nvx::StreamState*>(data);
  return true;
}

const Kernel* kernelOf(const Napi::CallbackInfo& info) { return static_cast<const Kernel*>(info.Data()); }

void Mask(const Napi::CallbackInfo& info) {
  Bytes src, dst;
  size_t offset, length;
  uint32_t key;
  if (!getBytes(info, 0, &src) || !getBytes(info, 1, &dst) || !getIndex(info, 2, &offset) ||
      !getIndex(info, 3, &length) || !getKey(info, 4, &key))
    return;
  if (length > src.length || offset > dst.length || length > dst.length - offset) {
    Napi::RangeError::New(info.Env(), "NVX: mask range is out of bounds").ThrowAsJavaScriptException();
    return;
  }
  kernelOf(info)->mask(src.data, dst.data + offset, length, key);
}

void Unmask(const Napi::CallbackInfo& info) {
  Bytes buf;
  uint32_t key;
  if (!getBytes(info, 0, &buf) || !getKey(info, 1, &key)) return;
  kernelOf(info)->mask(buf.data, buf.data, buf.length, key);
}

Napi::Value IsValidUtf8(const Napi::CallbackInfo& info) {
  Bytes buf;
  if (!getBytes(info, 0, &buf)) return Napi::Value();
  return Napi::Boolean::New(info.Env(), nvx::isValidUtf8(kernelOf(info), buf.data, buf.length));
}

// push(state, chunk) takes the whole chunk: two fewer argument conversions on the hot path.
Napi::Value Push(const Napi::CallbackInfo& info) {
  nvx::StreamState* st;
  Bytes buf;
  if (!getState(info, 0, &st) || !getBytes(info, 1, &buf)) return Napi::Value();
  size_t start = 0, end = buf.length;
  if (info.Length() > 2 && (!getIndex(info, 2, &start) || !getIndex(info, 3, &end))) return Napi::Value();
  if (start > end || end > buf.length) {
    Napi::RangeError::New(info.Env(), "NVX: push range is out of bounds").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  return Napi::Boolean::New(info.Env(), nvx::streamPush(kernelOf(info), st, buf.data + start, end - start));
}

Napi::Value UnmaskPush(const Napi::CallbackInfo& info) {
  nvx::StreamState* st;
  Bytes buf;
  uint32_t key;
  if (!getState(info, 0, &st) || !getBytes(info, 1, &buf) || !getKey(info, 2, &key)) return Napi::Value();
  return Napi::Boolean::New(info.Env(), nvx::streamUnmaskPush(kernelOf(info), st, buf.data, buf.length, key));
}

Napi::Value Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "NVX: bind(name) needs a kernel name").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  const Kernel* k = nvx::findUsableKernel(name.c_str());
  if (k == nullptr) {
    Napi::Error::New(env, "NVX: kernel '" + name + "' is not available on this CPU").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  void* data = const_cast<Kernel*>(k);
  Napi::Object fns = Napi::Object::New(env);
  fns.Set("name", Napi::String::New(env, k->name));
  fns.Set("mask", Napi::Function::New(env, Mask, "mask", data));
  fns.Set("unmask", Napi::Function::New(env, Unmask, "unmask", data));
  fns.Set("isValidUtf8", Napi::Function::New(env, IsValidUtf8, "isValidUtf8", data));
  fns.Set("push", Napi::Function::New(env, Push, "push", data));
  fns.Set("unmaskPush", Napi::Function::New(env, UnmaskPush, "unmaskPush", data));
  return fns;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Array kernels = Napi::Array::New(env, nvx::kernelCount());
  for (size_t i = 0; i < nvx::kernelCount(); i++) {
    nvx::KernelEntry e = nvx::kernelAt(i);
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", Napi::String::New(env, e.kernel->name));
    o.Set("usable", Napi::Boolean::New(env, e.usable));
    kernels.Set(uint32_t(i), o);
  }
  exports.Set("kernels", kernels);
  exports.Set("bind", Napi::Function::New(env, Bind, "bind"));
  return exports;
}

}  // namespace

NODE_API_MODULE(nvx, Init)
