"""Writes a derived ONNX model the same way for every derive script: fixed producer fields and
IR version so the bytes depend only on the graph (the manifest records their sha256)."""
import onnx
from onnx import helper


def write_model(graph, opset, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="charid-models", producer_version="1")
    model.ir_version = 7
    onnx.checker.check_model(model)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
