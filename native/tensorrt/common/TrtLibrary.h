// Finds and loads the TensorRT 11 libraries at run time (dlopen), so the addon links against no
// TensorRT library and loads on machines without one. Compiled in every build: loading needs no
// TensorRT headers, which keeps the search testable where TensorRT is not installed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trtn::trt {

// The library major this addon is written against; the sonames carry it (libnvinfer.so.11) and
// enum numbering and vtable layouts change between majors, so no other major is accepted.
constexpr int kTensorRTMajor = 11;

// The process environment the search depends on, captured once so the order is testable.
struct LoaderEnvironment {
  std::string tensorrtLibDir;  // TENSORRT_LIB_DIR, colon-separated directories
  std::string virtualEnv;      // VIRTUAL_ENV
  std::string condaPrefix;     // CONDA_PREFIX
  std::string home;            // HOME

  static LoaderEnvironment fromProcess();
};

// One place to try. `path` is a file path, or the bare soname for the dynamic loader's own search.
struct LibraryCandidate {
  std::string path;
  std::string origin;  // "TENSORRT_LIB_DIR", "loader search path ...", "/usr/lib/x86_64-linux-gnu", "pip wheel tensorrt_libs (VIRTUAL_ENV)"
};

// Search order for `soname`: TENSORRT_LIB_DIR entries, the loader's search (LD_LIBRARY_PATH,
// rpath, ldconfig cache), the standard install locations, then the tensorrt_libs folders of pip
// wheels in the Python site-packages found under VIRTUAL_ENV, CONDA_PREFIX, /usr/lib,
// /usr/local/lib and ~/.local/lib. Reads directory listings only; loads nothing.
std::vector<LibraryCandidate> libraryCandidates(const std::string& soname, const LoaderEnvironment& env);

// One attempt, for the report: `error` is empty for the candidate that loaded.
struct LibraryAttempt {
  std::string path;
  std::string origin;
  std::string error;
};

// The loaded libraries. The entry points are untyped here (no TensorRT headers); the backend casts
// them to the signatures of NvInfer.h / NvOnnxParser.h / NvInferPlugin.h.
struct TensorRTLibraries {
  std::string nvinferPath;
  int32_t version = 0;  // getInferLibVersion(): major*10000 + minor*100 + patch
  void* createInferBuilder = nullptr;   // createInferBuilder_INTERNAL(void* logger, int32_t version)
  void* createInferRuntime = nullptr;   // createInferRuntime_INTERNAL(void* logger, int32_t version)
  void* createInferRefitter = nullptr;  // (optional) createInferRefitter_INTERNAL(void* engine, void* logger, int32_t version)
  void* getPluginRegistry = nullptr;    // (optional) getPluginRegistry()
  void* createOnnxParser = nullptr;     // (optional) createNvOnnxParser_INTERNAL; null when libnvonnxparser.so.11 is absent
  void* createOnnxParserRefitter = nullptr;  // (optional) createNvOnnxParserRefitter_INTERNAL
  std::string onnxParserPath;
  std::string onnxParserReason;  // why the parser is absent (empty when loaded)
  void* initLibNvInferPlugins = nullptr;  // (optional) null when libnvinfer_plugin.so.11 is absent
  std::string pluginPath;
  std::string pluginReason;  // why the plugins are absent (empty when loaded)
};

// Loads once per process (thread-safe) and keeps the libraries loaded until exit. Throws
// EngineError(kTensorRTUnavailable) naming every path tried and why it failed.
const TensorRTLibraries& loadTensorRT();

// Non-throwing form for getBackends(): whether loadTensorRT() succeeds, and why not.
struct TensorRTProbe {
  bool loaded = false;
  std::string reason;  // the failure message, or "TensorRT 11.x.y (path)"
  std::string path;
  int32_t version = 0;
};
const TensorRTProbe& probeTensorRT();

// Everything the search did, for tensorrt.libraryInfo(): the nvinfer attempts in order.
const std::vector<LibraryAttempt>& tensorrtSearchLog();

// The oldest library this build accepts (major*10000 + minor*100): the major.minor of the
// TensorRT headers the backend was compiled against (newer minors append virtual methods, which
// an older library lacks); kTensorRTMajor.0 in builds without the backend.
int32_t minimumTensorRTVersion();

// "11.1.0" from 110100.
std::string formatTensorRTVersion(int32_t version);

}  // namespace trtn::trt
