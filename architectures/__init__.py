"""Built-in architectures: YAML data, installed as the package cnncalc.architectures so that
importlib.resources finds them in a source checkout and after a plain pip install alike."""
